import { MAX_COMMENT_LENGTH } from '@anomalyze/shared'
import { useState, type Ref } from 'react'

/** The comment box: Ctrl/Cmd+Enter posts; an empty or too long comment is not posted, and the limit is shown. */
export function CommentBox({ inputRef, onPost, disabled }: { inputRef: Ref<HTMLTextAreaElement>; onPost: (text: string) => void; disabled: boolean }) {
  const [text, setText] = useState('')
  const length = text.trim().length
  const over = length > MAX_COMMENT_LENGTH
  const ok = length > 0 && !over && !disabled
  const post = (): void => {
    if (!ok) return
    onPost(text.trim())
    setText('')
  }
  return (
    <form
      className="comment-box"
      aria-label="Comment"
      onSubmit={(e) => {
        e.preventDefault()
        post()
      }}
    >
      <textarea
        ref={inputRef}
        aria-label="Comment text"
        placeholder="Comment (m); Ctrl/Cmd+Enter posts"
        value={text}
        rows={3}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault()
            post()
          }
        }}
      />
      <div className="comment-meta">
        <span className={over ? 'error-text' : 'muted'} data-testid="comment-count">
          {length.toLocaleString()} / {MAX_COMMENT_LENGTH.toLocaleString()}
          {over && ' — too long to post'}
        </span>
        <button type="submit" disabled={!ok}>
          Post <kbd>Ctrl+Enter</kbd>
        </button>
      </div>
    </form>
  )
}
