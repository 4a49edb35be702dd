import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/http';
import { changePassword } from '../../api/session';

/** A modal to change one's own password (other sessions of the user end). */
export function ChangePasswordDialog(props: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // Unmounting removes the element; closing it here would fire onClose and end the dialog at once.
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    if (next.length < 8) return setError('The new password needs at least 8 characters.');
    if (next !== confirm) return setError('The new passwords do not match.');
    setBusy(true);
    try {
      await changePassword({ currentPassword: current, newPassword: next });
      setDone(true);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 403) setError('The current password is wrong.');
      else setError(caught instanceof ApiError ? caught.message : 'The server did not answer. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="change-password-title" onClose={props.onClose}>
      <h2 id="change-password-title">Change password</h2>
      {done ? (
        <>
          <p role="status">Password changed. Your other sessions have been signed out.</p>
          <div className="dialog-actions">
            <button type="button" className="primary" autoFocus onClick={props.onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <label htmlFor="current-password">Current password</label>
          <input id="current-password" type="password" autoComplete="current-password" autoFocus value={current} onChange={(e) => setCurrent(e.target.value)} />
          <label htmlFor="new-password">New password</label>
          <input id="new-password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
          <label htmlFor="confirm-password">Confirm new password</label>
          <input id="confirm-password" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          <p className="field-hint">At least 8 characters.</p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy || !current || !next || !confirm}>
              Change password
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
