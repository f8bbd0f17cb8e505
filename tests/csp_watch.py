"""Catching Content-Security-Policy violations in the browser tests.

``CSP_WATCH`` goes into a browser context as an init script (Playwright runs those
before the page's own scripts, whatever the page's policy); it keeps every
``securitypolicyviolation`` event of the page, which ``csp_violations`` reads back.
Chromium also prints each violation to the console as an error.
"""

CSP_WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
        + ` (${event.sourceFile || event.documentURI}:${event.lineNumber})`
    );
});
"""


def csp_violations(page) -> list[str]:
    """The violations of the page's current document so far."""
    return page.evaluate("() => window.cspViolations || []")


def csp_header_problems(response) -> list[str]:
    """A document that came without a policy is a problem too."""
    if response is None:
        return ["no response"]
    if not response.headers.get("content-security-policy"):
        return [f"no Content-Security-Policy: {response.url}"]
    return []
