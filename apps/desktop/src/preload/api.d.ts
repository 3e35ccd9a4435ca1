import type { AnomalyzeBridge } from '../contract/handlers.ts'

declare global {
  interface Window {
    /** Present in Electron (preload); absent in a plain browser, where HTTP is used. */
    anomalyze?: AnomalyzeBridge
  }
}
