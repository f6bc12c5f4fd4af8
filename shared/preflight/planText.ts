/** A purchase plan written the way the planInfo input takes it. */
import type { PurchasePlan } from '../config/types';

/** A plan written as the planInfo input takes it: `planName:planProduct:planPublisher`. */
export function planToText(plan: PurchasePlan): string {
  return `${plan.planName}:${plan.planProduct}:${plan.planPublisher}`;
}
