"""Figures of the seed document, transcribed from DOMAIN.md §5.1 (not produced by the code)."""

DOCUMENT_FIGURES = {
    "total_revenue": 459.21,
    "total_expenditure": 459.21,
    "basic_expenditure": 239.79,
    "project_expenditure": 219.42,
    "personnel_expenditure": 221.87,
    "public_expenditure": 17.92,
    "three_public_total": 0.0,
}

# B06: 部门 code → (政府 code, amount, 人员经费 or 公用经费)
B06_LINES = {
    "30101": ("50101", 69.86, "personnel"),
    "30102": ("50101", 24.29, "personnel"),
    "30103": ("50101", 27.28, "personnel"),
    "30107": ("50501", 41.79, "personnel"),
    "30108": ("50102", 19.85, "personnel"),
    "30110": ("50102", 10.50, "personnel"),
    "30112": ("50102", 0.77, "personnel"),
    "30113": ("50103", 20.46, "personnel"),
    "30302": ("50905", 6.56, "personnel"),
    "30307": ("50901", 0.51, "personnel"),
    "30201": ("50201", 5.04, "public"),
    "30207": ("50201", 0.80, "public"),
    "30228": ("50201", 2.38, "public"),
    "30229": ("50201", 4.58, "public"),
    "30239": ("50201", 4.31, "public"),
    "30299": ("50299", 0.81, "public"),
}
B06_NAMES = {
    "30108": "机关事业单位基本养老保险缴费",
    "30307": "医疗费补助",
    "30107": "绩效工资",
    "30201": "办公费",
    "30228": "工会经费",
    "30299": "其他商品和服务支出",
}

# B11 differs from B06 in two lines (DOMAIN §5.1): 30201 86.78 and 30226 → 50205 137.68.
B11_LINES = {code: (gov, amount) for code, (gov, amount, _) in B06_LINES.items()}
B11_LINES["30201"] = ("50201", 86.78)
B11_LINES["30226"] = ("50205", 137.68)
B11_TOTAL = 459.21

# B10 = B13 projects: name → (amount, code)
PROJECTS = {
    "政务外网线路及设备费": (60.00, "41070222000000006998"),
    "工作人员误餐费": (50.68, "410702220000000006917"),
    "从业人员、保安保洁工资及管理费": (87.00, "41070222000000006841"),
    "工作经费": (10.00, "410702220000000006958"),
    "工作人员工装费": (9.88, "41070222000000007302"),
    "电子印章经费": (1.50, "410702220000000024023"),
    "党建活动经费": (0.36, "410702240000000025201"),
}

FUNCTION_LINES = {  # B03/B05: code → (total, basic, project)
    "2010301": (239.79, 239.79, 0.0),
    "2010399": (219.06, 0.0, 219.06),
    "2013699": (0.36, 0.0, 0.36),
}
