//! Annex I of Decision 26/2026/QĐ-TTg: the 6 product groups, 17 groups ("nhóm") and
//! 26 product sets ("bộ sản phẩm"), each with its own criteria sheet in Annex II.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::i18n::{Label, Lang};

/// One of the six product groups of Art. 2.2 (roman numerals I-VI in Annex I).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProductGroup {
    /// I. Sản phẩm thực phẩm.
    Food,
    /// II. Sản phẩm đồ uống.
    Beverage,
    /// III. Sản phẩm dược liệu và sản phẩm từ dược liệu.
    Herbal,
    /// IV. Sản phẩm hàng thủ công mỹ nghệ.
    Handicraft,
    /// V. Sản phẩm sinh vật cảnh.
    Ornamental,
    /// VI. Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch.
    Tourism,
}

impl ProductGroup {
    /// All six groups in the order of Annex I.
    pub const ALL: [ProductGroup; 6] = [
        ProductGroup::Food,
        ProductGroup::Beverage,
        ProductGroup::Herbal,
        ProductGroup::Handicraft,
        ProductGroup::Ornamental,
        ProductGroup::Tourism,
    ];

    /// The roman numeral Annex I gives this group.
    pub fn numeral(self) -> &'static str {
        match self {
            ProductGroup::Food => "I",
            ProductGroup::Beverage => "II",
            ProductGroup::Herbal => "III",
            ProductGroup::Handicraft => "IV",
            ProductGroup::Ornamental => "V",
            ProductGroup::Tourism => "VI",
        }
    }

    /// The group's name in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            ProductGroup::Food => ("Thực phẩm", "Food"),
            ProductGroup::Beverage => ("Đồ uống", "Beverages"),
            ProductGroup::Herbal => ("Dược liệu và sản phẩm từ dược liệu", "Herbal products"),
            ProductGroup::Handicraft => ("Hàng thủ công mỹ nghệ", "Handicrafts"),
            ProductGroup::Ornamental => ("Sinh vật cảnh", "Ornamental plants and animals"),
            ProductGroup::Tourism => (
                "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
                "Community and eco-tourism services and tourist sites",
            ),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The groups ("nhóm") of this product group.
    pub fn subgroups(self) -> impl Iterator<Item = &'static Subgroup> {
        SUBGROUPS.iter().filter(move |s| s.group == self)
    }
}

impl fmt::Display for ProductGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Lang::En))
    }
}

/// One of the 17 groups ("nhóm") of Annex I.
#[derive(Debug, PartialEq, Eq)]
pub struct Subgroup {
    /// The product group it belongs to.
    pub group: ProductGroup,
    /// Its number within the product group, as printed in Annex I.
    pub number: u8,
    /// Vietnamese name as printed in Annex I.
    pub vi: &'static str,
    /// English name.
    pub en: &'static str,
}

impl Subgroup {
    /// A code such as `I.3` (product group numeral, group number).
    pub fn code(&self) -> String {
        format!("{}.{}", self.group.numeral(), self.number)
    }

    /// The product sets of this group.
    pub fn product_sets(&self) -> impl Iterator<Item = &'static ProductSetInfo> + '_ {
        PRODUCT_SETS
            .iter()
            .filter(move |s| s.group == self.group && s.subgroup == self.number)
    }
}

/// One of the 26 product sets ("bộ sản phẩm") of Annex II, each with its own criteria sheet.
#[derive(Debug, PartialEq, Eq)]
pub struct ProductSetInfo {
    /// The set's number, 1 to 26.
    pub set: ProductSet,
    /// The product group.
    pub group: ProductGroup,
    /// The group ("nhóm") number within the product group.
    pub subgroup: u8,
    /// The sub-group letter ("phân nhóm") in Annex I, when the group is split.
    pub letter: Option<char>,
    /// Vietnamese name as printed at the head of the Annex II sheet.
    pub vi: &'static str,
    /// English name.
    pub en: &'static str,
}

impl ProductSetInfo {
    /// The set's name in `lang`.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.vi,
            Lang::En => self.en,
        }
    }

    /// The set's name as a bilingual label.
    pub fn to_label(&self) -> Label {
        Label::new(self.vi, self.en)
    }

    /// The group ("nhóm") it belongs to.
    pub fn subgroup(&self) -> Option<&'static Subgroup> {
        SUBGROUPS
            .iter()
            .find(|g| g.group == self.group && g.number == self.subgroup)
    }
}

/// A product set number, 1 to 26 (Annex II).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "u8", into = "u8")]
#[schemars(with = "ProductSetNumber")]
pub struct ProductSet(u8);

/// Schema stand-in for [`ProductSet`]: an integer from 1 to 26.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "only used to describe the schema")]
struct ProductSetNumber(#[schemars(range(min = 1, max = 26))] u8);

impl ProductSet {
    /// Product set 1, the first of Annex I.
    pub const FIRST: ProductSet = ProductSet(1);

    /// The product set numbered `n`, if `n` is between 1 and 26.
    pub fn new(n: u8) -> Option<Self> {
        (1..=26).contains(&n).then_some(Self(n))
    }

    /// The set's number, 1 to 26.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The set's entry in Annex I.
    #[expect(
        clippy::indexing_slicing,
        reason = "a `ProductSet` holds 1..=26 and PRODUCT_SETS has 26 entries in order"
    )]
    pub fn info(self) -> &'static ProductSetInfo {
        &PRODUCT_SETS[usize::from(self.0 - 1)]
    }

    /// The product group of this set.
    pub fn group(self) -> ProductGroup {
        self.info().group
    }

    /// All 26 sets in order.
    pub fn all() -> impl Iterator<Item = ProductSet> {
        (1..=26).map(ProductSet)
    }
}

impl TryFrom<u8> for ProductSet {
    type Error = String;

    fn try_from(n: u8) -> Result<Self, Self::Error> {
        ProductSet::new(n).ok_or_else(|| format!("product set {n} does not exist: use 1 to 26"))
    }
}

impl From<ProductSet> for u8 {
    fn from(s: ProductSet) -> u8 {
        s.0
    }
}

impl fmt::Display for ProductSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

use ProductGroup::*;

/// The 17 groups of Annex I.
pub static SUBGROUPS: [Subgroup; 17] = [
    Subgroup {
        group: Food,
        number: 1,
        vi: "Thực phẩm tươi sống",
        en: "Fresh food",
    },
    Subgroup {
        group: Food,
        number: 2,
        vi: "Thực phẩm thô, sơ chế",
        en: "Raw and pre-processed food",
    },
    Subgroup {
        group: Food,
        number: 3,
        vi: "Thực phẩm chế biến",
        en: "Processed food",
    },
    Subgroup {
        group: Food,
        number: 4,
        vi: "Gia vị",
        en: "Condiments and spices",
    },
    Subgroup {
        group: Food,
        number: 5,
        vi: "Chè",
        en: "Tea",
    },
    Subgroup {
        group: Food,
        number: 6,
        vi: "Cà phê, ca cao",
        en: "Coffee and cocoa",
    },
    Subgroup {
        group: Beverage,
        number: 1,
        vi: "Đồ uống có cồn",
        en: "Alcoholic drinks",
    },
    Subgroup {
        group: Beverage,
        number: 2,
        vi: "Đồ uống không cồn",
        en: "Non-alcoholic drinks",
    },
    Subgroup {
        group: Herbal,
        number: 1,
        vi: "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền",
        en: "Health supplements, herbal and traditional medicines",
    },
    Subgroup {
        group: Herbal,
        number: 2,
        vi: "Mỹ phẩm có thành phần từ dược liệu",
        en: "Cosmetics with herbal ingredients",
    },
    Subgroup {
        group: Herbal,
        number: 3,
        vi: "Tinh dầu và dược liệu khác",
        en: "Essential oils and other herbal materials",
    },
    Subgroup {
        group: Handicraft,
        number: 1,
        vi: "Thủ công mỹ nghệ gia dụng, trang trí",
        en: "Household and decorative handicrafts",
    },
    Subgroup {
        group: Handicraft,
        number: 2,
        vi: "Vải, may mặc",
        en: "Textiles and garments",
    },
    Subgroup {
        group: Ornamental,
        number: 1,
        vi: "Hoa",
        en: "Flowers",
    },
    Subgroup {
        group: Ornamental,
        number: 2,
        vi: "Cây cảnh",
        en: "Ornamental plants",
    },
    Subgroup {
        group: Ornamental,
        number: 3,
        vi: "Động vật cảnh",
        en: "Ornamental animals",
    },
    Subgroup {
        group: Tourism,
        number: 1,
        vi: "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
        en: "Community and eco-tourism services and tourist sites",
    },
];

macro_rules! set {
    ($n:literal, $g:ident, $sub:literal, $letter:expr, $vi:literal, $en:literal) => {
        ProductSetInfo {
            set: ProductSet($n),
            group: $g,
            subgroup: $sub,
            letter: $letter,
            vi: $vi,
            en: $en,
        }
    };
}

/// The 26 product sets of Annex II, in order.
pub static PRODUCT_SETS: [ProductSetInfo; 26] = [
    set!(
        1,
        Food,
        1,
        Some('a'),
        "Rau, củ, quả, hạt tươi",
        "Fresh vegetables, tubers, fruits and nuts"
    ),
    set!(
        2,
        Food,
        1,
        Some('b'),
        "Thịt, thủy sản, trứng, sữa tươi",
        "Fresh meat, seafood, eggs and milk"
    ),
    set!(
        3,
        Food,
        2,
        Some('a'),
        "Gạo, ngũ cốc, hạt sơ chế khác",
        "Rice, cereals and other pre-processed grains"
    ),
    set!(
        4,
        Food,
        2,
        Some('b'),
        "Mật ong, mật khác và nông sản thực phẩm khác",
        "Honey, other syrups and other farm food products"
    ),
    set!(5, Food, 3, Some('a'), "Đồ ăn nhanh", "Fast food"),
    set!(
        6,
        Food,
        3,
        Some('b'),
        "Chế biến từ gạo, ngũ cốc",
        "Processed rice and cereal products"
    ),
    set!(
        7,
        Food,
        3,
        Some('c'),
        "Chế biến từ rau, củ, quả, hạt",
        "Processed vegetable, tuber, fruit and nut products"
    ),
    set!(
        8,
        Food,
        3,
        Some('d'),
        "Chế biến từ thịt, thủy sản, trứng, sữa, các sản phẩm từ mật ong, mật khác và nông sản thực phẩm khác",
        "Processed meat, seafood, egg, milk, honey and other farm food products"
    ),
    set!(
        9,
        Food,
        4,
        Some('a'),
        "Tương, nước mắm, gia vị dạng lỏng khác",
        "Sauces, fish sauce and other liquid condiments"
    ),
    set!(
        10,
        Food,
        4,
        Some('b'),
        "Gia vị khác (muối, hành, tỏi, tiêu)",
        "Other spices (salt, shallot, garlic, pepper)"
    ),
    set!(
        11,
        Food,
        5,
        Some('a'),
        "Chè tươi, chè chế biến",
        "Fresh and processed tea"
    ),
    set!(
        12,
        Food,
        5,
        Some('b'),
        "Sản phẩm trà từ thực vật khác",
        "Tea products from other plants"
    ),
    set!(13, Food, 6, None, "Cà phê, cacao", "Coffee and cocoa"),
    set!(14, Beverage, 1, Some('a'), "Rượu trắng", "White spirits"),
    set!(
        15,
        Beverage,
        1,
        Some('b'),
        "Đồ uống có cồn khác",
        "Other alcoholic drinks"
    ),
    set!(
        16,
        Beverage,
        2,
        Some('a'),
        "Nước khoáng thiên nhiên, nước uống đóng chai",
        "Natural mineral water and bottled drinking water"
    ),
    set!(
        17,
        Beverage,
        2,
        Some('b'),
        "Đồ uống không cồn khác",
        "Other non-alcoholic drinks"
    ),
    set!(
        18,
        Herbal,
        1,
        None,
        "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền",
        "Health supplements, herbal and traditional medicines"
    ),
    set!(
        19,
        Herbal,
        2,
        None,
        "Mỹ phẩm có thành phần từ dược liệu",
        "Cosmetics with herbal ingredients"
    ),
    set!(
        20,
        Herbal,
        3,
        None,
        "Tinh dầu và dược liệu khác",
        "Essential oils and other herbal materials"
    ),
    set!(21, Handicraft, 1, None, "Thủ công mỹ nghệ", "Handicrafts"),
    set!(
        22,
        Handicraft,
        2,
        None,
        "Vải, may mặc",
        "Textiles and garments"
    ),
    set!(23, Ornamental, 1, None, "Hoa", "Flowers"),
    set!(24, Ornamental, 2, None, "Cây cảnh", "Ornamental plants"),
    set!(
        25,
        Ornamental,
        3,
        None,
        "Động vật cảnh",
        "Ornamental animals"
    ),
    set!(
        26,
        Tourism,
        1,
        None,
        "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
        "Community and eco-tourism services and tourist sites"
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_one_has_6_groups_17_subgroups_26_sets() {
        assert_eq!(ProductGroup::ALL.len(), 6);
        assert_eq!(SUBGROUPS.len(), 17);
        let per_group: Vec<usize> = ProductGroup::ALL
            .iter()
            .map(|g| g.subgroups().count())
            .collect();
        assert_eq!(per_group, [6, 2, 3, 2, 3, 1]);
        for (i, info) in PRODUCT_SETS.iter().enumerate() {
            assert_eq!(usize::from(info.set.number()), i + 1);
            assert!(info.subgroup().is_some(), "set {} has no group", i + 1);
        }
        let sets_per_subgroup: usize = SUBGROUPS.iter().map(|s| s.product_sets().count()).sum();
        assert_eq!(sets_per_subgroup, 26);
    }

    #[test]
    fn product_set_rejects_out_of_range() {
        assert!(ProductSet::new(0).is_none());
        assert!(ProductSet::new(27).is_none());
        assert_eq!(ProductSet::new(16).map(|s| s.group()), Some(Beverage));
        let err = serde_json::from_str::<ProductSet>("27").unwrap_err();
        assert!(err.to_string().contains("use 1 to 26"));
    }
}
