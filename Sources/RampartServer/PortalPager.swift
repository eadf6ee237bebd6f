import Hummingbird

/// A portal list's page from `?page=` over `total` rows: what to skip, and the pager's template values.
struct PortalPager {
    let page: Int
    let pages: Int
    let pageSize: Int

    init(_ request: Request, total: Int, pageSize: Int = PortalRoutes.pageSize) {
        self.pageSize = pageSize
        pages = max(1, (total + pageSize - 1) / pageSize)
        page = min(max(1, Int(request.uri.queryParameters.get("page") ?? "1") ?? 1), pages)
    }

    var skip: Int { (page - 1) * pageSize }

    /// `pageLabel`, `previousPage` and `nextPage` (false when there is none), merged into `values`.
    func context(_ values: [String: Any], renderer: PortalRenderer, language: String) -> [String: Any] {
        values.merging(
            [
                "pageLabel": renderer.text("pager_label", language, String(page), String(pages)),
                "previousPage": page > 1 ? page - 1 : false, "nextPage": page < pages ? page + 1 : false,
            ], uniquingKeysWith: { first, _ in first })
    }
}
