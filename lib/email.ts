/** E-mail addresses the program accepts (alert recipients, the ACME contact). Pure. */
import { DNS_LABEL } from "./hostnames";

/**
 * A plain address: letters, digits and . _ % + - before the @ (no quotes, spaces or shell
 * characters, so it can be passed to a host's script as is), a DNS name after it.
 */
export const EMAIL_RE = new RegExp(`^[A-Za-z0-9._%+-]+@(?:${DNS_LABEL}\\.)+[a-z]{2,63}$`, "i");
