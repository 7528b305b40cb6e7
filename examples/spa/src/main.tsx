import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createApollo } from './apollo';
import { Session } from './auth/session';
import { SessionContext } from './auth/use-session';
import './styles.css';

const session = new Session();
const client = createApollo(session);
void session.start();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <SessionContext.Provider value={session}>
      <ApolloProvider client={client}>
        <App />
      </ApolloProvider>
    </SessionContext.Provider>
  </StrictMode>,
);
