import { replyStats } from "@/lib/replyStats";
import { useStore } from "@/lib/store";

import { ms, Section, TABLE, TBODY, TD, TH, THEAD } from "./ui";

/** Time to first token, tokens/s and total of the replies streamed in this page. */
export function RecentReplies() {
  const replies = useStore(replyStats);
  return (
    <Section title="Recent replies">
      {replies.length === 0 ? (
        <p className="text-sm text-zinc-500">No replies streamed in this page yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className={TABLE} aria-label="Recent replies">
            <thead className={THEAD}>
              <tr>
                <th scope="col" className={TH}>Model</th>
                <th scope="col" className={TH}>Time to first token</th>
                <th scope="col" className={TH}>Tokens/s</th>
                <th scope="col" className={TH}>Output tokens</th>
                <th scope="col" className={TH}>Total</th>
                <th scope="col" className={TH}>Stop reason</th>
              </tr>
            </thead>
            <tbody className={TBODY}>
              {replies.map((reply) => (
                <tr key={`${reply.conversationId}:${reply.messageId ?? reply.startedAt}`}>
                  <th scope="row" className={`${TH} font-mono text-xs`}>{reply.model}</th>
                  <td className={TD}>{ms(reply.timeToFirstTokenMs)}</td>
                  <td className={TD}>{reply.tokensPerSecond === null ? "—" : reply.tokensPerSecond.toFixed(1)}</td>
                  <td className={TD}>{reply.outputTokens ?? "—"}</td>
                  <td className={TD}>{ms(reply.totalMs)}</td>
                  <td className={TD}>{reply.stopReason ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
