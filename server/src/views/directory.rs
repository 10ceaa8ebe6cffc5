//! Regions and units as the API shows them.

use crate::storage::regions::{self, RegionRow};
use crate::storage::units::UnitRow;
use qinxue_core::api::{Region, Unit};

pub fn region(r: RegionRow) -> Region {
    Region {
        code: r.code,
        name: r.name,
        parent_code: r.parent_code,
        level: r.level,
    }
}

/// A unit with its region's full name, from a list of regions that holds its ancestors.
pub fn unit(u: UnitRow, regions: &[RegionRow]) -> Unit {
    Unit {
        id: u.id,
        name: u.name,
        region_name: regions::full_name(regions, &u.region_code),
        region_code: u.region_code,
    }
}
