import ZhenxingDomain

/// Every user-interface string, in both languages. Templates read them as `{{t.key}}`;
/// a test checks that every key a template uses exists here.
enum Strings {
    static let table: [String: LocalizedText] = [
        "product": .init(zh: "振兴", en: "Zhenxing"),
        "tagline": .init(zh: "驻村帮扶工作台账", en: "Village assistance records"),
        "nav_divisions": .init(zh: "区划", en: "Divisions"),
        "switch_language": .init(zh: "English", en: "中文"),
        "skip_to_content": .init(zh: "跳到正文", en: "Skip to content"),
        "breadcrumb": .init(zh: "位置", en: "Breadcrumb"),
        "divisions_title": .init(zh: "行政区划", en: "Administrative divisions"),
        "divisions_intro": .init(zh: "按省、市、县、乡镇、村逐级查看。", en: "Browse by province, city, county, township and village."),
        "code": .init(zh: "区划代码", en: "Code"),
        "name": .init(zh: "名称", en: "Name"),
        "level": .init(zh: "级别", en: "Level"),
        "children_count": .init(zh: "下级数", en: "Below"),
        "children": .init(zh: "下级区划", en: "Divisions below"),
        "no_children": .init(zh: "暂无下级区划。", en: "No divisions below."),
        "no_divisions": .init(zh: "尚无区划数据。运行 zhenxing demo 可载入示范村。", en: "No divisions yet. Run zhenxing demo to load the demo village."),
        "village_profile": .init(zh: "村情概况", en: "Village profile"),
        "open_profile": .init(zh: "查看村情概况", en: "Open the village profile"),
        "edit": .init(zh: "编辑", en: "Edit"),
        "save": .init(zh: "保存", en: "Save"),
        "cancel": .init(zh: "取消", en: "Cancel"),
        "print": .init(zh: "打印", en: "Print"),
        "area": .init(zh: "地域面积", en: "Area"),
        "area_unit": .init(zh: "平方公里", en: "km²"),
        "farmland": .init(zh: "耕地面积", en: "Farmland"),
        "mountain_land": .init(zh: "山坡面积", en: "Mountain land"),
        "mu": .init(zh: "亩", en: "mu"),
        "designations": .init(zh: "村级定位", en: "Designations"),
        "honours": .init(zh: "村级荣誉", en: "Honours"),
        "year": .init(zh: "年份", en: "Year"),
        "title": .init(zh: "名称", en: "Title"),
        "groups": .init(zh: "村民小组", en: "Village groups"),
        "group_number": .init(zh: "组号", en: "No."),
        "natural_villages": .init(zh: "自然村", en: "Natural villages"),
        "count_suffix": .init(zh: "个", en: ""),
        "none": .init(zh: "无", en: "None"),
        "version": .init(zh: "版本", en: "Version"),
        "profile_empty": .init(zh: "尚未填写村情概况。", en: "The profile has not been filled in yet."),
        "edit_profile": .init(zh: "编辑村情概况", en: "Edit the village profile"),
        "hint_designations": .init(zh: "每行一项。", en: "One per line."),
        "hint_honours": .init(zh: "每行一项：年份 空格 荣誉名称，如 2019 国家森林乡村。", en: "One per line: year, a space, the title — e.g. 2019 National Forest Village."),
        "hint_groups": .init(zh: "每行一项：组号 空格 名称，如 1 第一村民小组。", en: "One per line: number, a space, the name — e.g. 1 First group."),
        "hint_natural_villages": .init(zh: "每行一个自然村。", en: "One natural village per line."),
        "hint_area": .init(zh: "单位：平方公里，最多 6 位小数。", en: "In km², up to 6 decimals."),
        "hint_mu": .init(zh: "单位：亩，最多 2 位小数。", en: "In mu, up to 2 decimals."),
        "form_has_errors": .init(zh: "有填写问题，请按提示修改后再保存。", en: "Some fields need attention; correct them and save again."),
        "saved": .init(zh: "已保存。", en: "Saved."),
        "conflict_title": .init(zh: "保存冲突", en: "Edit conflict"),
        "conflict_text": .init(zh: "在您编辑期间，其他人已修改了这份记录。下面是当前保存的内容和您填写的内容，请核对后重新编辑。", en: "Someone else changed this record while you were editing. Below are the saved values and yours; check them and edit again."),
        "conflict_saved": .init(zh: "当前保存的内容", en: "Saved now"),
        "conflict_yours": .init(zh: "您填写的内容", en: "Your entry"),
        "edit_again": .init(zh: "重新编辑", en: "Edit again"),
        "error_title": .init(zh: "出错了", en: "Something went wrong"),
        "error_back": .init(zh: "返回首页", en: "Back to the start page"),
        "request_id": .init(zh: "请求编号", en: "Request id"),
    ]

    /// The table in one language, as templates read it.
    static func dictionary(_ language: Language) -> [String: String] {
        table.mapValues { $0.text(language) }
    }

    /// One string; the key itself when missing, so a gap shows instead of hiding.
    static func text(_ key: String, _ language: Language) -> String {
        table[key]?.text(language) ?? key
    }
}
