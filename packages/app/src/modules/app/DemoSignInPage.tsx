import { ProxiedSignInPage, SignInPage } from '@backstage/core-components';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { Box, Button } from '@material-ui/core';

/** Whether the page was opened to sign in as the demo's viewer (`?as=viewer`). */
const wantsViewer = () =>
  new URLSearchParams(window.location.search).get('as') === 'viewer';

/**
 * The demo's sign-in: the guest (a member of bookinfo-team, which owns the bookinfo services) by
 * default; with `?as=viewer`, the viewer, who is signed in but owns nothing, to see the portal as a
 * non-owner does. Both identities come from development-only providers of the auth backend.
 */
export const DemoSignInPage = (props: SignInPageProps) => {
  if (wantsViewer()) return <ProxiedSignInPage {...props} provider="viewer" />;
  return (
    <>
      <SignInPage {...props} auto providers={['guest']} />
      <Box display="flex" justifyContent="center" mb={4}>
        <Button variant="outlined" href="?as=viewer">
          Sign in as viewer (owns nothing)
        </Button>
      </Box>
    </>
  );
};
