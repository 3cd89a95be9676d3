import { rejectionsWith, type RejectionStatuses } from '../app/gateways/temporal';

/** A response's description with the workflow rejection types that answer it, as the error `code`. */
export function rejections(table: RejectionStatuses, status: number, description: string): string {
  const types = rejectionsWith(table, status);
  return types.length ? `${description}. error.code: ${types.map((t) => `\`${t}\``).join(', ')}` : description;
}
