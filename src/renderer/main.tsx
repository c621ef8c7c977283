import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createServedApi, tokenOf } from './served-api';
import './styles.css';

const root = document.getElementById('root')!;
// Electron's preload puts the API on window.audit; `audit-replay serve` gives the page a token instead.
const token = window.audit ? null : tokenOf(location.search);
const api = window.audit ?? (token ? createServedApi(token) : null);
if (api) {
  createRoot(root).render(
    <StrictMode>
      <App api={api} />
    </StrictMode>,
  );
} else {
  root.textContent = 'This window was opened without its connection to the audit services, so there is nothing to show.';
}
