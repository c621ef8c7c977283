import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

const root = document.getElementById('root')!;
if (window.audit) {
  createRoot(root).render(
    <StrictMode>
      <App api={window.audit} />
    </StrictMode>,
  );
} else {
  root.textContent = 'This window was opened without its connection to the audit services, so there is nothing to show.';
}
