import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { findDeliveries } from '../../services/notifications/find-deliveries.ts'
import { readNotificationSettings, saveNotificationSettings, ZNotificationSettingsInput } from '../../services/notifications/notification-settings.ts'
import { sendTestAlert } from '../../services/notifications/send-test-alert.ts'
import { allowed } from '../init.ts'
import { ZRowId } from '../inputs.ts'

export const notificationsRouter = {
  /** The settings, with `warnings` for channels they use that this server cannot deliver on. */
  settings: allowed('notifications:read').query(({ ctx }) => readNotificationSettings(ctx.db, ctx.services, ctx.orgId)),
  /**
   * Replaces the settings as a whole; invalid fields come back in `data.fieldErrors`.
   * Saved settings come back with `warnings: [{ channel, message }]` for channels turned on
   * that this server has no provider for (no SMTP, no Twilio).
   */
  updateSettings: allowed('notifications:manage')
    .input(ZNotificationSettingsInput)
    .mutation(({ ctx, input }) => saveNotificationSettings(ctx.db, ctx.services, ctx.actor, input)),
  /** The delivery log of one anomaly (the console's detail pane). */
  deliveries: allowed('notifications:read')
    .input(z.object({ anomalyId: ZRowId }))
    .query(({ ctx, input }) => findDeliveries(ctx.db, ctx.orgId, input.anomalyId)),
  /** Sends one test message over a channel to the saved address or number. */
  sendTest: allowed('notifications:manage')
    .input(z.object({ channel: z.enum(['EMAIL', 'SMS', 'VOICE']) }))
    .mutation(({ ctx, input }) => sendTestAlert(ctx.db, ctx.services, ctx.orgId, input.channel)),
} satisfies TRPCRouterRecord
