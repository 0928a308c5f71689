// Loaded as a module, so only browsers that run the design system's components run this; every page works without it.
import { initAll } from './govuk-frontend.min.js';

initAll();

// The preview link page: a copy button, shown only where the clipboard can be written.
for (const button of document.querySelectorAll('.app-copy')) {
  if (!navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    const source = document.getElementById(button.dataset.copyTarget);
    await navigator.clipboard.writeText(source.value);
    button.textContent = 'Copied';
  });
}
