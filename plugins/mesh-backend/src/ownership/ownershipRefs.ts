import {
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';

/** The entity refs a caller owns through (itself and its groups); none for a service. */
export async function ownershipRefs(
  userInfo: UserInfoService,
  credentials: BackstageCredentials,
): Promise<string[]> {
  if ((credentials.principal as { type: string }).type !== 'user') return [];
  return (await userInfo.getUserInfo(credentials as BackstageCredentials<any>))
    .ownershipEntityRefs;
}
