import { reverseMoney } from '../../simulator/actions';
import { OrderBook } from '../../simulator/orders';
import type { RefundRequest } from '../../simulator/refunds';
import { acceptRefund, landRefund, refund, refundableFen, refundCheck, refundDeadline } from '../../simulator/refunds';
import { markPaid } from '../../simulator/settlement';

/** The pure refund state machine of the simulator (simulator/refunds.ts). */
describe('simulator refunds (pure)', () => {
  /** 2025-06-02 10:00 Asia/Shanghai. */
  const T0 = Date.UTC(2025, 5, 2, 2, 0, 0);
  const paidOrder = (totalAmount = '1000') => {
    const book = new OrderBook(T0);
    const req = {
      terminal_sn: 't',
      client_sn: 'c',
      total_amount: totalAmount,
      dynamic_id: '13',
      subject: 's',
      operator: 'o',
    };
    const order = book.create(req, {}, T0, 'm');
    markPaid(order, T0, 'pay');
    return order;
  };
  const req = (no: string, amount: string): RefundRequest => ({
    terminal_sn: 't',
    client_sn: 'c',
    refund_request_no: no,
    refund_amount: amount,
    operator: 'r',
  });

  it.each([
    // paid (Shanghai) → first instant no longer refundable (Shanghai)
    ['2025-06-02T10:00:00', '2025-09-02T10:00:00'],
    ['2025-11-30T23:59:59', '2026-02-28T23:59:59'],
    ['2027-11-30T08:00:00', '2028-02-29T08:00:00'],
    ['2025-12-31T00:00:00', '2026-03-31T00:00:00'],
  ])('refundDeadline: paid %s Shanghai → refused from %s', (paid, deadline) => {
    const shanghai = (s: string) => Date.parse(`${s}+08:00`);
    expect(refundDeadline(shanghai(paid))).toBe(shanghai(deadline));
  });

  it('reserves refunds in flight: another refund sees only what is left', () => {
    const order = paidOrder();
    acceptRefund(order, req('a', '700'), T0, false);
    expect(refundableFen(order)).toBe(300);
    expect(refundCheck(order, req('b', '301'), T0)?.error_code).toBe('REFUNDABLE_AMOUNT_NOT_ENOUGH');
    expect(refund(order, req('b', '300'), T0).result_code).toBe('REFUND_SUCCESS');
    expect(order.status).toBe('PARTIAL_REFUNDED');
  });

  it('a refund that lands on an order reversed meanwhile fails and moves nothing', () => {
    const order = paidOrder();
    const record = acceptRefund(order, req('a', '100'), T0, false);
    reverseMoney(order, T0 + 1, 'cancel');
    landRefund(order, record, T0 + 2);
    expect(record).toMatchObject({ state: 'failed', settledAt: T0 + 2 });
    expect(order.refundedFen).toBe(0);
    expect(order.movements.map((m) => m.kind)).toEqual(['capture', 'reversal']);
  });

  it('a refund back to PAID after REFUND_INPROGRESS is no second capture', () => {
    const order = paidOrder();
    const record = acceptRefund(order, req('a', '1000'), T0, true);
    expect(order.status).toBe('REFUND_INPROGRESS');
    landRefund(order, record, T0 + 5);
    expect(order.status).toBe('REFUNDED');
    expect(order.movements.map((m) => [m.kind, m.amount_fen])).toEqual([
      ['capture', 1000],
      ['refund', 1000],
    ]);
  });
});
