// The payment provider from the process's configuration (PAYMENT_*): none configured, none used
// (fees are then paid by QR-bill only, and POST /v1/transactions/:id/payment answers 503).
import type { Config } from './config';
import { datatransProvider, loadPaymentConfig, type PaymentProvider } from './payments';

export function paymentProviderFrom(
  config: Pick<Config, 'PAYMENT_PROVIDER_URL' | 'PAYMENT_PAGE_URL' | 'PAYMENT_MERCHANT_ID' | 'PAYMENT_PASSWORD' | 'PAYMENT_SIGN_KEY'>,
): PaymentProvider | null {
  if (!config.PAYMENT_PROVIDER_URL) return null;
  return datatransProvider(
    loadPaymentConfig({
      PAYMENT_PROVIDER_URL: config.PAYMENT_PROVIDER_URL,
      PAYMENT_PAGE_URL: config.PAYMENT_PAGE_URL,
      PAYMENT_MERCHANT_ID: config.PAYMENT_MERCHANT_ID,
      PAYMENT_PASSWORD: config.PAYMENT_PASSWORD,
      PAYMENT_SIGN_KEY: config.PAYMENT_SIGN_KEY,
      PAYMENT_TIMEOUT_MS: process.env.PAYMENT_TIMEOUT_MS,
    }),
  );
}
