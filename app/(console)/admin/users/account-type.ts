/** The account-type choice of the user forms. */
export const ACCOUNT_TYPES = [
  { value: "user", label: "ACL-based user", hint: "Sees and acts on exactly what ACLs give them (directly or through their groups)." },
  { value: "admin", label: "Global administrator", hint: "Everything: every pool and object, users, groups, ACLs and the whole audit log." },
];
