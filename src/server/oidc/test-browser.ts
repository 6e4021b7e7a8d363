/**
 * A cookie-keeping HTTP client that follows redirects by hand, standing in for a browser in OIDC tests (the pages
 * are plain forms; Chromium tests cover the script-driven ones).
 */
export class FormBrowser {
  readonly cookies = new Map<string, string>();

  private keep(res: Response): Response {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, i).trim();
      const value = (pair ?? '').slice(i + 1);
      if (value === '' || attrs.some((a) => /max-age=0\b|expires=thu, 01 jan 1970/i.test(a.trim())))
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    return this.keep(
      await fetch(url, {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        redirect: 'manual',
        headers: {
          cookie: this.header(),
          accept: 'text/html',
          ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
      }),
    );
  }

  /** Follows redirects until a response that is not a redirect, or one to a URL starting with `stopAt`. */
  async follow(
    start: string,
    stopAt?: string,
    init: { form?: Record<string, string> } = {},
  ): Promise<{ url: string; res: Response }> {
    let url = start;
    let res = await this.request(url, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { url, res };
      url = new URL(location, url).toString();
      if (stopAt && url.startsWith(stopAt)) return { url, res };
      res = await this.request(url);
    }
    throw new Error(`too many redirects from ${start}`);
  }

  /** Signs in with the password form on the page at `url` (Keyway's sign-in), then follows to the end. */
  async signIn(
    pageUrl: string,
    userName: string,
    password: string,
    stopAt?: string,
  ): Promise<{ url: string; res: Response }> {
    const page = await this.request(pageUrl);
    const body = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
    const returnTo = /name="returnTo" value="([^"]*)"/.exec(body)?.[1]?.replace(/&amp;/g, '&') ?? '/';
    return this.follow(new URL('/signin', pageUrl).toString(), stopAt, {
      form: { userName, password, csrf, returnTo },
    });
  }
}

/** The value of a hidden or text input in an HTML form. */
export const inputValue = (html: string, name: string): string =>
  new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? '';
