export { recordNotification } from './record.js';
