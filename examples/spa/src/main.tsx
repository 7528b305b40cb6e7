import { ApolloProvider } from '@apollo/client/react';
import { createTollgate } from '@tollgate/client';
import { TollgateProvider } from '@tollgate/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createApollo } from './apollo';
import { httpUrl } from './config';
import './styles.css';

// Cookie mode: the access token in memory, the refresh token in Tollgate's HttpOnly cookie, renewals one
// tab at a time. Everything about tokens is @tollgate/client's; this app only draws screens.
const tollgate = createTollgate({ url: httpUrl });
const client = createApollo(tollgate);
void tollgate.start();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <TollgateProvider client={tollgate}>
      <ApolloProvider client={client}>
        <App />
      </ApolloProvider>
    </TollgateProvider>
  </StrictMode>,
);
