/** Tags as the console shows them on links and connections: `key: value` chips, or a word when none. */
export function TagList({ tags }: { tags: Record<string, string> }) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return <span class="muted">No tags</span>;
  return (
    <ul class="tags">
      {entries.map(([key, value]) => (
        <li>
          <code>
            {key}: {value}
          </code>
        </li>
      ))}
    </ul>
  );
}

/** The tag filter of a list page: `key:value`, as the API's `?tag=` takes it. */
export function TagFilterField({ id, value }: { id: string; value: string }) {
  return (
    <div>
      <label for={id}>Tag</label>
      <input type="text" id={id} name="tag" value={value} placeholder="key:value" aria-describedby={`${id}-hint`} />
      <span class="hint" id={`${id}-hint`}>
        key:value, e.g. env:prod
      </span>
    </div>
  );
}
