import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders the demo sign-in page, with the way in as the read-only viewer', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    expect(
      await screen.findByRole(
        'link',
        { name: 'Sign in as viewer (owns nothing)' },
        { timeout: 10_000 },
      ),
    ).toHaveAttribute('href', '?as=viewer');
  });
});
