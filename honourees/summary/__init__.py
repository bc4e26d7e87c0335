"""The 申报人员情况汇总表 (巴陵 notice 附件2) as an Excel file: its layout, the writing and the reading."""
