// Loaded as a module, so only browsers that can run the design system's components run this.
import { initAll } from './govuk-frontend.min.js';

initAll();
