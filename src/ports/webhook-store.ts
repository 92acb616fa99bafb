/** Per-project webhook secrets (sealed, never clear text) and the delivery ids already handled. */
export interface WebhookStore {
  /** The project's sealed secret; null when it has none yet (or the project does not exist). */
  getSecret(project: string): string | null;
  /** Sets the sealed secret; false when the project does not exist. */
  setSecret(project: string, sealed: string): boolean;
  /**
   * Records a delivery id and answers whether it is new. Ids received before `keepSince`
   * (an ISO time) are forgotten, and at most `keepCount` per project are kept, newest first.
   */
  rememberDelivery(project: string, deliveryId: string, limits: { keepSince: string; keepCount: number }): boolean;
}
