/** Chinese error_message texts from the reference appendix (§7.2); clients must not parse them. */
const MESSAGES: Record<string, string> = {
  EXPIRED_BARCODE: '过期的支付条码',
  INSUFFICIENT_FUND: '账户金额不足',
  INVALID_BARCODE: '不合法的支付条码',
  TRADE_TIMEOUT: '交易超时自动撤单',
  TRADE_FAILED: '交易失败',
  UNEXPECTED_PROVIDER_ERROR: '该笔交易异常，请稍后重试',
  UPAY_ORDER_NOT_EXISTS: '订单不存在',
  UPAY_CANCEL_ORDER_NOOP: '无效操作，订单已经是撤单状态了',
  UPAY_CANCEL_INVALID_ORDER_STATE: '当前订单状态不可撤销',
  UPAY_TCP_ORDER_NOT_REFUNDABLE: '订单参与了活动并且无法撤销',
  UPAY_REFUND_INVALID_ORDER_STATE: '当前订单状态不可退款',
  UPAY_REFUND_ORDER_NOOP: '无效操作，本次退款退款已经完成了',
  REFUNDABLE_AMOUNT_NOT_ENOUGH: '订单可退金额不足',
  BUYER_OVER_DAILY_LIMIT: '付款人当日付款金额超过上限',
  UNKNOWN_SYSTEM_ERROR: '未知的系统错误',
  MAINTENANCE_INPROGRESS: '服务端正在升级维护，稍候5分钟',
};

export function messageFor(errorCode: string): string {
  return MESSAGES[errorCode] ?? errorCode;
}
