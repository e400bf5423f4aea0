//! The demo's synthetic province: Cần Thơ's districts and communes, product names by set,
//! producers. Names of places are real; products, producers and commune codes are invented.

use ocop_core::{ProductSet, domain::ProducerKind};

/// A small deterministic generator (SplitMix64): the same seed gives the same year.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x0C0C_2024_0C0C_2026)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as usize) as i64
    }

    /// A uniform number in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }
}

/// A district of Cần Thơ (before the 2025 reform) with some of its communes and wards.
///
/// From 1 July 2025 the demo's producers have a commune or ward and no district, and the
/// report groups them by commune. They keep these pre-reform commune names: the Standing
/// Committee's 2025 resolution that names the merged city's communes and wards is not at
/// hand, and no post-reform name is invented.
pub(crate) struct District {
    pub(crate) name: &'static str,
    pub(crate) slug: &'static str,
    pub(crate) communes: &'static [&'static str],
}

pub(crate) static DISTRICTS: &[District] = &[
    District {
        name: "Phong Điền",
        slug: "phong-dien",
        communes: &[
            "Nhơn Ái",
            "Giai Xuân",
            "Tân Thới",
            "Mỹ Khánh",
            "Trường Long",
            "Nhơn Nghĩa",
        ],
    },
    District {
        name: "Cờ Đỏ",
        slug: "co-do",
        communes: &[
            "Thới Hưng",
            "Trung An",
            "Trung Hưng",
            "Đông Hiệp",
            "Thạnh Phú",
        ],
    },
    District {
        name: "Vĩnh Thạnh",
        slug: "vinh-thanh",
        communes: &[
            "Thạnh Mỹ",
            "Thạnh Quới",
            "Vĩnh Trinh",
            "Thạnh An",
            "Thạnh Lộc",
        ],
    },
    District {
        name: "Thới Lai",
        slug: "thoi-lai",
        communes: &[
            "Trường Xuân",
            "Định Môn",
            "Tân Thạnh",
            "Xuân Thắng",
            "Đông Thuận",
        ],
    },
    District {
        name: "Ô Môn",
        slug: "o-mon",
        communes: &["Thới An", "Long Hưng", "Phước Thới", "Trường Lạc"],
    },
    District {
        name: "Thốt Nốt",
        slug: "thot-not",
        communes: &["Tân Lộc", "Thuận Hưng", "Trung Nhứt", "Thới Thuận"],
    },
    District {
        name: "Ninh Kiều",
        slug: "ninh-kieu",
        communes: &["An Bình", "Cái Khế", "Hưng Lợi"],
    },
    District {
        name: "Bình Thủy",
        slug: "binh-thuy",
        communes: &["Long Tuyền", "Trà Nóc", "Long Hòa"],
    },
    District {
        name: "Cái Răng",
        slug: "cai-rang",
        communes: &["Ba Láng", "Thường Thạnh", "Hưng Phú"],
    },
];

/// Product sets with how often Cần Thơ's dossiers fall in them (food dominates), and a
/// few product names for each.
pub(crate) static PRODUCTS: &[(u8, u32, &[&str])] = &[
    (
        1,
        12,
        &[
            "Bưởi Năm Roi",
            "Dâu Hạ Châu",
            "Xoài cát Hòa Lộc",
            "Sầu riêng Ri6",
            "Chôm chôm",
            "Măng cụt",
        ],
    ),
    (
        2,
        5,
        &["Cá thát lát", "Tôm càng xanh", "Trứng vịt", "Cá lóc đồng"],
    ),
    (
        3,
        10,
        &[
            "Gạo ST25",
            "Gạo thơm Jasmine",
            "Gạo lứt huyết rồng",
            "Nếp cái hoa vàng",
        ],
    ),
    (
        4,
        7,
        &["Mật ong hoa tràm", "Mật ong hoa cà phê", "Đường thốt nốt"],
    ),
    (
        5,
        3,
        &["Chả cá thát lát", "Bánh xèo đóng gói", "Lạp xưởng tươi"],
    ),
    (
        6,
        10,
        &[
            "Bánh tráng Thuận Hưng",
            "Bánh pía",
            "Bún khô",
            "Hủ tiếu Cái Răng",
            "Bánh phồng",
        ],
    ),
    (
        7,
        9,
        &[
            "Mứt khóm",
            "Sấy dẻo xoài",
            "Chuối sấy",
            "Kẹo dừa",
            "Khóm Cầu Đúc sấy",
        ],
    ),
    (
        8,
        8,
        &["Khô cá lóc", "Khô cá sặc", "Chà bông cá", "Nem nướng"],
    ),
    (
        9,
        6,
        &["Nước mắm cá linh", "Tương ớt", "Mắm cá lóc", "Nước chấm"],
    ),
    (10, 4, &["Muối ớt", "Tiêu xanh", "Hành phi", "Tỏi đen"]),
    (11, 2, &["Trà xanh", "Chè búp"]),
    (
        12,
        5,
        &["Trà mãng cầu", "Trà sen", "Trà khổ qua rừng", "Trà atiso"],
    ),
    (13, 3, &["Cà phê rang xay", "Ca cao bột"]),
    (14, 4, &["Rượu nếp Phong Điền", "Rượu đế Bà Đắc"]),
    (15, 2, &["Rượu vang trái cây", "Rượu chuối hột"]),
    (16, 1, &["Nước uống đóng chai"]),
    (
        17,
        4,
        &["Nước ép khóm", "Nước cốt dừa", "Nước mía đóng chai"],
    ),
    (18, 2, &["Trà túi lọc đinh lăng", "Cao dược liệu"]),
    (19, 1, &["Xà phòng tràm", "Dầu gội bồ kết"]),
    (20, 2, &["Tinh dầu tràm", "Tinh dầu sả chanh"]),
    (
        21,
        4,
        &["Đan lục bình", "Chiếu lác", "Xuồng ba lá mô hình", "Gốm đỏ"],
    ),
    (22, 1, &["Áo bà ba", "Khăn rằn"]),
    (23, 2, &["Hoa kiểng Bà Bộ", "Hoa lan"]),
    (24, 2, &["Mai vàng", "Bonsai"]),
    (25, 1, &["Cá cảnh"]),
    (
        26,
        3,
        &[
            "Du lịch vườn Mỹ Khánh",
            "Du lịch chợ nổi Cái Răng",
            "Du lịch sinh thái cồn Sơn",
        ],
    ),
];

/// A product set, by its weight.
pub(crate) fn product_set(rng: &mut Rng) -> (ProductSet, &'static str) {
    let total: u32 = PRODUCTS.iter().map(|p| p.1).sum();
    let mut r = rng.below(total as usize) as u32;
    for (set, weight, names) in PRODUCTS {
        if r < *weight {
            let name = rng.pick(names).copied().unwrap_or("Sản phẩm");
            return (ProductSet::new(*set).unwrap_or_else(first_set), name);
        }
        r -= weight;
    }
    (first_set(), "Sản phẩm")
}

fn first_set() -> ProductSet {
    ProductSet::all()
        .next()
        .unwrap_or_else(|| unreachable!("product set 1 exists"))
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Ngô", "Dương", "Lâm", "Trương",
];
const GIVEN: &[&str] = &[
    "Văn Hai",
    "Thị Ba",
    "Minh Tâm",
    "Thanh Tùng",
    "Ngọc Hân",
    "Văn Út",
    "Thị Mai",
    "Hữu Phước",
    "Kim Liên",
    "Quốc Bảo",
];

/// A producer's name and legal form.
pub(crate) fn producer(rng: &mut Rng, commune: &str, product: &str) -> (String, ProducerKind) {
    let kind = match rng.below(10) {
        0..=3 => ProducerKind::Cooperative,
        4..=5 => ProducerKind::Enterprise,
        6..=8 => ProducerKind::Household,
        _ => ProducerKind::CooperativeGroup,
    };
    let person = format!(
        "{} {}",
        rng.pick(FAMILY).copied().unwrap_or("Nguyễn"),
        rng.pick(GIVEN).copied().unwrap_or("Văn An")
    );
    let short = product
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let name = match kind {
        ProducerKind::Cooperative => format!("HTX {short} {commune}"),
        ProducerKind::Enterprise => format!("Công ty TNHH {short} {commune}"),
        ProducerKind::CooperativeGroup => format!("Tổ hợp tác {short} {commune}"),
        _ => format!("Hộ kinh doanh {person}"),
    };
    (name, kind)
}
