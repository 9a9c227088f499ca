import { createFulfillmentFunction } from '../../lib/lambda';
import { changeHandler } from './change';

export const handler = createFulfillmentFunction(changeHandler);
