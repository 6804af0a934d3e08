import { ServiceError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { foundClosed } from '../../client/errors';

/**
 * A second start of a payment or refund answers with the final status when the workflow is closed,
 * also when it closed between the start attaching to it and the update being admitted (fuzz, gen 2
 * seed 1043 under load: the server's NOT_FOUND "workflow execution already completed").
 */
describe('foundClosed: which start errors mean "the workflow has closed; read its status"', () => {
  it.each([
    ['closed when asked', new WorkflowExecutionAlreadyStartedError('already started', 'upay-1-A', 'paymentSaga')],
    [
      'closed while attaching',
      new WorkflowNotFoundError('workflow execution already completed', 'upay-1-A', undefined),
    ],
    ['the same, wrapped', new ServiceError('Update-With-Start failed: workflow execution already completed')],
  ])('%s', (_, err) => expect(foundClosed(err)).toBe(true));

  it.each([
    ['a connection failure', new ServiceError('Unexpected error while making gRPC request')],
    ['anything else', new Error('boom')],
    ['not an error', 'workflow execution already completed'],
  ])('not %s', (_, err) => expect(foundClosed(err)).toBe(false));
});
