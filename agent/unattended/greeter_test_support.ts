/**
 * A stand-in login screen for the sign-in tests (agent/unattended/login_screen_test.ts,
 * tests/e2e/unattended_computers_test.ts): a shell script, run in an xterm on Xvfb under a
 * greeter's name, that asks a user name and a password and writes what it read to the file
 * named by its first argument.
 */
export const STAND_IN_GREETER = `#!/bin/sh
printf 'login: '
IFS= read -r user
printf 'Password: '
stty -echo
IFS= read -r pass
stty echo
printf '%s\\n%s\\n' "$user" "$pass" > "$1"
`;
