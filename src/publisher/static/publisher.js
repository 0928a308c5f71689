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

// Live preview: each Markdown box gets the page as readers will see it beneath,
// rendered by the server a moment after the editor stops typing.
const csrf = document.querySelector('input[name="_csrf"]')?.value;
for (const box of document.querySelectorAll('textarea.app-markdown')) {
  if (!csrf) break;
  const preview = document.createElement('div');
  preview.className = 'app-live-preview';
  preview.setAttribute('role', 'region');
  preview.setAttribute('aria-label', 'Live preview');
  preview.setAttribute('aria-live', 'polite');
  box.closest('.govuk-form-group').after(preview);
  let timer;
  let latest = 0;
  const refresh = async () => {
    const asked = ++latest;
    const res = await fetch('/markdown-preview', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, markdown: box.value }),
    });
    // An older answer arriving late must not replace a newer one.
    if (res.ok && asked === latest) preview.innerHTML = await res.text();
  };
  box.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  refresh();
}
