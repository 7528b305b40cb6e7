import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { ErrorMessage } from './ErrorMessage';
import { Me } from './Profile';

const CreateServiceAccount = graphql(`
  mutation CreateServiceAccount($name: String!) {
    createServiceAccount(name: $name) {
      apiKey
    }
  }
`);

/** Admins can mint the key the example worker reports with; Tollgate shows it once. */
export function WorkerKey() {
  const me = useQuery(Me);
  const [create, { data, error, loading }] = useMutation(CreateServiceAccount);
  if (me.data?.me.tier !== 'ADMIN') return null;
  return (
    <section className="card">
      <h2>Worker key</h2>
      {data ? (
        <pre>TOLLGATE_API_KEY={data.createServiceAccount.apiKey}</pre>
      ) : (
        <button
          type="button"
          disabled={loading}
          onClick={() => void create({ variables: { name: 'spa-example-worker' } }).catch(() => undefined)}
        >
          Create a worker key
        </button>
      )}
      <ErrorMessage error={error} />
    </section>
  );
}
