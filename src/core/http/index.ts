/** Small HTTP helpers shared by the egress gate and the console's transport. */
export { readBody } from './read-body.js';
