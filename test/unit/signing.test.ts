import { authorizationHeader, signBody } from '../../activities/gateway/signing';

// Known answers from the reference (§2.2), computed there with Python hashlib, md5sum and Node.
const KEY = '68d499beda5f72116592f5c527465656';

describe('signBody', () => {
  it.each([
    ['{"terminal_sn":"10298371039","sn":"7894259244067349"}', '418850f2fd6d7297817e0b3c2e2fc148'],
    [
      '{"terminal_sn":"10298371039","client_sn":"ORDER-0001","total_amount":"100","dynamic_id":"130818341921441147","subject":"测试","operator":"cashier_01"}',
      '7d3c46256df0b5c98d7b1c163c391b1c',
    ],
  ])('matches the reference vector for %s', (body, sign) => {
    expect(signBody(body, KEY)).toBe(sign);
    expect(signBody(Buffer.from(body, 'utf8'), KEY)).toBe(sign);
  });

  it('builds the Authorization header as "<sn> <sign>" with one space', () => {
    expect(authorizationHeader('10298371039', '{"terminal_sn":"10298371039","sn":"7894259244067349"}', KEY)).toBe(
      '10298371039 418850f2fd6d7297817e0b3c2e2fc148',
    );
  });

  it('changes when a single byte of the body changes (no re-serialization hides it)', () => {
    expect(signBody('{"a":"1"}', KEY)).not.toBe(signBody('{"a": "1"}', KEY));
  });
});
