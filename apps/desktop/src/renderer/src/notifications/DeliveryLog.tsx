import { useQuery } from '@tanstack/react-query'
import { useTRPC } from '../api/server-api.ts'
import { formatTime } from '../format.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'

const CHANNEL_LABEL = { EMAIL: 'E-mail', SMS: 'SMS', VOICE: 'Call' } as const

/**
 * The alerts sent (or held back, and why) for one anomaly, read from the server.
 * Online only: offline, or for an anomaly the server does not know (a file scored on
 * this machine), the section is not shown at all.
 */
export function DeliveryLog({ anomalyId }: { anomalyId: string }) {
  const online = useServerOnline()
  const trpc = useTRPC()
  const deliveries = useQuery({ ...trpc.notifications.deliveries.queryOptions({ anomalyId }), enabled: online, retry: false })
  if (!online || deliveries.data === undefined) return null
  const { items, acknowledgedAt } = deliveries.data
  return (
    <section className="delivery-log" data-testid="delivery-log">
      <h3>Alerts</h3>
      {acknowledgedAt !== null && <p className="muted">Acknowledged by phone {formatTime(Date.parse(acknowledgedAt))}</p>}
      {items.length === 0 ? (
        <p className="muted">No alert for this anomaly yet.</p>
      ) : (
        <table>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-channel={item.channel}>
                <td>{CHANNEL_LABEL[item.channel]}</td>
                <td>
                  <span className={`delivery-status status-${item.status}`}>{item.status}</span>
                </td>
                <td className="muted">
                  {formatTime(Date.parse(item.updatedAt))}
                  {item.attempts > 1 ? ` · ${item.attempts} tries` : ''}
                </td>
                <td className="delivery-note">{item.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
