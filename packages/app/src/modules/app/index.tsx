import {
  createFrontendModule,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { SidebarContent } from './Sidebar';

/** The demo's sign-in page: the guest, or the viewer who owns nothing (`?as=viewer`). */
const demoSignInPage = SignInPageBlueprint.make({
  params: {
    loader: () => import('./DemoSignInPage').then(m => m.DemoSignInPage),
  },
});

/** The portal opens on the catalog. */
const homeRedirect = PageBlueprint.make({
  name: 'home',
  params: {
    path: '/',
    loader: () => import('./HomeRedirect').then(m => <m.HomeRedirect />),
  },
});

/** What this portal changes of the app itself: its sign-in page and its nav. */
export const appModule = createFrontendModule({
  pluginId: 'app',
  extensions: [demoSignInPage, SidebarContent, homeRedirect],
});
