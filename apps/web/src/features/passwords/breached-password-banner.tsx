import { passwordMessages } from '../../messages/passwords';

/**
 * Shown while this session was signed in with a password found in a breach corpus: it still signs in,
 * and the dashboard asks for a new one, linking to the password change on the same page.
 */
export default function BreachedPasswordBanner() {
  return (
    <div className="banner banner-warning" role="status">
      <strong>{passwordMessages.breachedTitle}.</strong> {passwordMessages.breachedBody} <a href="#change-password">{passwordMessages.changeIt}</a>
    </div>
  );
}
