/** Decoys (issue 18): files planted in an agent's home whose reading raises an alert, and the watch on them. */
export { placeDecoys, type PlacedDecoy } from './place.js';
export { atime, closeDecoys, openDecoys, pollDecoys, watchDecoys, type DecoyWatch } from './watch.js';
