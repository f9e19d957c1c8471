/*
 * roles.js - the groups of roles the console's screens test (the same groups as the API's
 * route table in src/api/routes.c): who may see personal data and act, and administrators.
 */
export const PERSONAL = ['admin', 'hq', 'officer'];
export const ADMIN = ['admin'];
