import { createApp } from '@backstage/frontend-defaults';
import { appModule } from './modules/app';

/**
 * The portal, on Backstage's new frontend system: every plugin in this package's dependencies
 * (the mesh plugin among them) is found by feature discovery (`app.packages: all`).
 */
export default createApp({
  features: [appModule],
});
