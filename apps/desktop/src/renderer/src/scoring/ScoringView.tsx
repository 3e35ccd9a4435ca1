import { useQuery } from '@tanstack/react-query'
import { callCore } from '../api/core-client.ts'

/**
 * Offline CSV scoring. The console side (file, mapping, progress, local batch) is
 * waiting for the detection engine; until the core reports it available this screen
 * says so instead of showing made-up scores.
 */
export function ScoringView() {
  const availability = useQuery({ queryKey: ['scoring.availability'], queryFn: () => callCore('scoring.availability', {}) })
  if (availability.isPending) return <p className="empty-box">Checking the scoring engine…</p>
  if (availability.isError) return <p className="error-box">{availability.error.message}</p>
  if (!availability.data.available) {
    return (
      <section className="empty-box waiting" data-testid="scoring-waiting">
        <h2>Score a file on this machine</h2>
        <p><strong>Not available yet.</strong> {availability.data.reason}</p>
        <p className="muted">
          When it is: open or drop a CSV, check the detected column mapping, watch the progress, then triage the scored rows
          in the queue as a local batch. Nothing leaves the machine.
        </p>
      </section>
    )
  }
  return <p className="empty-box">The scoring engine is available, but this screen is not built yet.</p>
}
