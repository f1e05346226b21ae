import { argon2id, argon2Verify } from "hash-wasm";

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
const PARAMS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export async function hashPassword(password: string): Promise<string> {
  return await argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    ...PARAMS,
    outputType: "encoded",
  });
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash });
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Spends the same work as a real check, so an unknown e-mail is not revealed by timing. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword("timing-equaliser-password");
  await verifyPassword(password, await dummy);
}

/** The translation key of the first rule `password` breaks, or undefined. */
export function passwordProblem(
  password: string,
  email?: string,
): "password.tooShort" | "password.tooLong" | "password.sameAsEmail" | undefined {
  if (password.length < PASSWORD_MIN) return "password.tooShort";
  if (password.length > PASSWORD_MAX) return "password.tooLong";
  if (email && password.trim().toLowerCase() === email.trim().toLowerCase()) {
    return "password.sameAsEmail";
  }
  return undefined;
}
