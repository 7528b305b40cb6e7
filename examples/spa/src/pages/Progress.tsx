import { useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { useAuthState } from '@tollgate/client/react';
import { graphql } from '../gql';
import { ErrorMessage } from './ErrorMessage';
import { WorkerKey } from './WorkerKey';

graphql(`
  fragment Progress on ResourceProgress {
    resourceId
    overallStatus
    percentComplete
    stages {
      stage
      status
      percent
      message
    }
  }
`);

const ResourceProgress = graphql(`
  query ResourceProgress($resourceId: ID!) {
    resourceProgress(resourceId: $resourceId) {
      ...Progress
    }
  }
`);

const ResourceProgressChanged = graphql(`
  subscription ResourceProgressChanged($resourceId: ID!) {
    resourceProgressChanged(resourceId: $resourceId) {
      ...Progress
    }
  }
`);

/**
 * A resource's processing, live. Tollgate only streams a resource once a worker has reported on it, so until
 * then the page asks every second; from the first report on, the subscription carries every change.
 */
export function Progress() {
  const auth = useAuthState();
  const [resourceId, setResourceId] = useState(() => new URLSearchParams(window.location.search).get('resource') ?? 'demo');
  const known = useQuery(ResourceProgress, { variables: { resourceId }, fetchPolicy: 'cache-and-network' });
  const exists = Boolean(known.data?.resourceProgress);
  const { startPolling, stopPolling } = known;
  useEffect(() => {
    if (exists) return;
    startPolling(1000);
    return stopPolling;
  }, [exists, startPolling, stopPolling]);
  const live = useSubscription(ResourceProgressChanged, { variables: { resourceId }, skip: !exists });
  const pushed = live.data?.resourceProgressChanged;
  // Right after the id is edited, the last push may still be the previous resource's.
  const progress = pushed?.resourceId === resourceId ? pushed : known.data?.resourceProgress;
  const userId = auth.status === 'signed-in' ? auth.userId : '';

  return (
    <>
      <label className="inline">
        Resource
        <input value={resourceId} onChange={(e) => setResourceId(e.target.value.trim())} />
      </label>
      <ErrorMessage error={known.error ?? live.error} />
      {progress ? (
        <section className="card">
          <div
            className={`bar ${progress.overallStatus.toLowerCase()}`}
            role="progressbar"
            aria-label={`Progress of ${progress.resourceId}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress.percentComplete}
          >
            <span style={{ width: `${progress.percentComplete}%` }} />
          </div>
          <p className="status">
            <strong data-testid="percent">{Math.round(progress.percentComplete)} %</strong> · {progress.overallStatus}
          </p>
          <ol className="stages">
            {progress.stages.map((s) => (
              <li key={s.stage} className={s.status.toLowerCase()}>
                <span>{s.stage}</span>
                <span>{s.status === 'PROCESSING' && s.percent !== null ? `${s.percent} %` : s.status}</span>
                {s.message && <small>{s.message}</small>}
              </li>
            ))}
          </ol>
        </section>
      ) : (
        <section className="card">
          <p className="muted">No report on “{resourceId}” yet. Start the example worker with a service-account key:</p>
          <pre>
            TOLLGATE_API_KEY=… npm run worker -- --owner {userId} --resource {resourceId}
          </pre>
        </section>
      )}
      <WorkerKey />
    </>
  );
}
