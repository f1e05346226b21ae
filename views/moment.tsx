import { formatMoment, type Language, type MomentStyle } from "../modules/i18n/mod.ts";

/**
 * A moment in a `<time>`, worded by `formatMoment` for the page's language (UTC on the
 * server); static/app.js rewrites it in the browser's time zone, same language and style.
 */
export function Moment(props: { lang: Language; at: Date; style?: MomentStyle }) {
  const style = props.style ?? "clock";
  return (
    <time datetime={props.at.toISOString()} data-moment={style}>
      {formatMoment(props.lang, props.at, style)}
    </time>
  );
}
