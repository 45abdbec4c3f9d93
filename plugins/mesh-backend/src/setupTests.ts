// The backend's tables and locks are tested on PostgreSQL as well as SQLite. Every machine of
// this project runs PostgreSQL 15 at 127.0.0.1:5432 with trust auth; point the tests elsewhere
// with BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING, or set it to an empty string to
// test on SQLite only.
if (
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING === undefined
) {
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING =
    'postgresql://postgres@127.0.0.1:5432';
}

// On CI PostgreSQL is not optional: an empty setting would test SQLite only and hide that.
if (
  process.env.CI &&
  !process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
) {
  throw new Error(
    'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is empty on CI: the backend tests must run on PostgreSQL too',
  );
}

// Each test file's clusters stop when it ends: the watches of the services it made stop with them.
// eslint-disable-next-line jest/no-standalone-expect
afterAll(() => require('./__testUtils__/meshServices').closeMeshServices());
