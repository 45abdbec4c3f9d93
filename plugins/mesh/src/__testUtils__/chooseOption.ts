import { fireEvent, screen, waitFor, within } from '@testing-library/react';

/** Picks an option of a labelled MUI select, as a person would: open it, click, wait for it to close. */
export async function chooseOption(label: string, option: string) {
  fireEvent.mouseDown(screen.getByRole('button', { name: new RegExp(label) }));
  const listbox = await screen.findByRole('listbox');
  fireEvent.click(within(listbox).getByRole('option', { name: option }));
  await waitFor(() =>
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument(),
  );
}
