"""The five seed notices (../shared/seeds/) as scheme, round and unit data.

Each round's rules follow its notice; the comments cite the section. The demo command loads these, and
tests use them as the real-world configurations.
"""

_JUDGE_POLITICS = {
    "kind": "judgement",
    "params": {
        "zh": "政治坚定、遵纪守法、职业道德良好",
        "en": "Politically sound, law-abiding, of good professional ethics",
    },
}

BALING_2023 = {
    "scheme": {
        "code": "baling",
        "name": "巴陵工匠",
        "city": "岳阳",
        "organiser": "中共岳阳市委人才工作领导小组办公室、岳阳市总工会",
    },
    "round": {
        "year": 2023,
        "title": "2023年“巴陵工匠”选拔",
        "document_no": "",
        "published_on": "2023-09-11",
        "target_count": 20,
        "notice_working_days": 5,
    },
    "rules": {
        # §四(一): county unions ≤ 8, city industry unions ≤ 5, large enterprises' unions ≤ 2.
        "quotas": [
            {"unit_type": "county_union", "max": 8},
            {"unit_type": "industry_union", "max": 5},
            {"unit_type": "enterprise_union", "max": 2},
        ],
        # §一: traditional craftsmen and other kinds ≤ 20% of those named.
        "category_caps": [{"categories": ["traditional_craft", "other"], "max_share": "0.20"}],
        "eligibility": [
            {"kind": "born_on_or_after", "params": {"date": "1963-01-01"}},  # §二: ≤ 60 years old
            {"kind": "min_years_in_city", "params": {"years": 3}},  # §二: full-time in 岳阳 ≥ 3 years
            {"kind": "min_skill_level", "params": {"level": "technician", "industries": ["manufacturing"]}},
            {"kind": "no_prior_honour_at_or_above", "params": {"level": "provincial"}},  # §二(三)
            {
                "kind": "not_already_honoured",
                "params": {"schemes": ["baling"], "programmes": ["city_talent_funding"]},
            },
            {"kind": "not_debarred"},  # §五(二): false claims → banned for 3 years
            _JUDGE_POLITICS,
            {
                "kind": "judgement",
                "params": {
                    "zh": "非不从事技术技能工作的现职领导干部或机关事业单位工作人员",
                    "en": "Not a serving leader or civil servant without technical or skills work",
                },
            },
        ],
        # §四(二)–(六)
        "stages": [
            {"kind": "qualification"},
            {"kind": "expert_review"},
            {"kind": "field_inspection"},
            {"kind": "committee"},
            {"kind": "notice", "days": 5},
        ],
        "tiers": ["named"],
        "channels": ["unit"],
        # §三: 20,000 over two years; the second 10,000 only after the studio is set up and assessed.
        "award": {
            "source": "city_talent_fund",
            "tax": {"withhold": True, "rate": "0.20", "category": "incidental_income"},
            "by_tier": {
                "named": {
                    "instalments": [
                        {"amount": "10000.00", "months_after_naming": 0, "label": "第一年资助"},
                        {
                            "amount": "10000.00",
                            "months_after_naming": 12,
                            "label": "第二年资助",
                            "conditions": [
                                {
                                    "kind": "studio_established",
                                    "params": {
                                        "institution_kinds": [
                                            "vocational_college_industry_college",
                                            "university_internship_base",
                                        ]
                                    },
                                },
                                {"kind": "assessment_passed", "params": {"period": 1}},
                            ],
                        },
                    ]
                }
            },
        },
        "benefits": [
            {
                "kind": "recurring_allowance",
                "code": "baling_allowance",
                "funder": "city_finance",
                "zh": "根据相关规定发放津贴补助",
                "en": "Allowances under the applicable regulations",
            }
        ],
        "debarment_years": 3,
    },
    "units": [
        ("岳阳楼区总工会", "county_union", "岳阳楼区"),
        ("华容县总工会", "county_union", "华容县"),
        ("岳阳市机械冶金工会", "industry_union", "岳阳市"),
        ("巴陵石化工会", "enterprise_union", "云溪区"),
    ],
}

JIAOZUO_2018 = {
    "scheme": {
        "code": "jiaozuo",
        "name": "焦作工匠",
        "city": "焦作",
        "organiser": "焦作市总工会、焦作市人力资源和社会保障局",
    },
    "round": {
        "year": 2018,
        "title": "首批焦作工匠选树",
        "document_no": "焦工文[2018]33号",
        "published_on": None,
        "target_count": 20,
        "notice_working_days": 5,
    },
    "rules": {
        # §三: county unions and 焦煤集团 2 each; industry unions and city units 1 each; ≤ 20 named.
        "quotas": [
            {"unit_type": "county_union", "max": 2},
            {"unit_type": "key_enterprise", "max": 2},
            {"unit_type": "industry_union", "max": 1},
            {"unit_type": "city_unit", "max": 1},
        ],
        "eligibility": [
            {"kind": "min_skill_level", "params": {"level": "senior"}},  # §二: 高级工 (三级) or above
            {"kind": "not_debarred"},
            _JUDGE_POLITICS,
        ],
        # §四: qualification → panel vote for 20–30 candidates → leading group → notice 5 working days.
        "stages": [
            {"kind": "qualification"},
            {"kind": "expert_review"},
            {"kind": "committee"},
            {"kind": "notice", "days": 5},
        ],
        "tiers": ["named", "finalist"],  # §六: those passing qualification get the 入围奖
        "channels": ["unit"],
        "award": {
            "source": "union_funds",
            "tax": {"withhold": True, "rate": "0.20", "category": "incidental_income"},
            "by_tier": {"named": {"instalments": [{"amount": "10000.00", "label": "一次性奖励"}]}},
        },
        "benefits": [
            {
                "kind": "referral",
                "code": "jiaozuo_may_day_medal",
                "funder": "union",
                "zh": "按程序申报焦作市五一劳动奖章",
                "en": "Referral for the 焦作 May Day Labour Medal",
            }
        ],
    },
    "units": [
        ("解放区总工会", "county_union", "解放区"),
        ("焦煤集团工会", "key_enterprise", "焦作市"),
        ("焦作市机冶建工会", "industry_union", "焦作市"),
    ],
}

BAOTOU_2023 = {
    "scheme": {"code": "baotou", "name": "包头工匠", "city": "包头", "organiser": "包头市总工会"},
    "round": {
        "year": 2023,
        "title": "包头市2023年“包头工匠”选树",
        "document_no": "包总工办发〔2023〕2号",
        "published_on": "2023-01-17",
        "target_count": 20,
        "notice_working_days": 5,
    },
    "rules": {
        # §四(一): direct and industry unions, societies 1–3 each; reform pilot units +1–2.
        "quotas": [
            {"unit_type": "direct_union", "min": 1, "max": 3},
            {"unit_type": "industry_union", "min": 1, "max": 3},
            {"unit_type": "society", "min": 1, "max": 3},
        ],
        "pilot_extra": 2,
        "eligibility": [
            # §三: any one of six routes.
            {
                "kind": "any_of",
                "params": {
                    "routes": [
                        {
                            "code": "honour",
                            "zh": "市级以上劳动模范、五一劳动奖章、鹿城英才或政府特殊津贴",
                            "en": "City-level or higher labour model, May Day medal, 鹿城英才 or special allowance",
                        },
                        {
                            "code": "competition",
                            "zh": "国家级前20名、自治区级前3名、市级第1名或市级以上技术能手",
                            "en": "National top 20, regional top 3, city first place, or technical expert",
                        },
                        {
                            "code": "science_award",
                            "zh": "国家、自治区级科学技术进步奖",
                            "en": "National or regional science and technology progress award",
                        },
                        {
                            "code": "invention",
                            "zh": "重大发明创造或解决重大关键性生产技术难题",
                            "en": "Major invention or breakthrough on a key production problem",
                        },
                        {
                            "code": "patent_or_heritage",
                            "zh": "绝活绝技、重点技术领域专利或传承民族传统技艺",
                            "en": "Unique skills, key patents, or preserving traditional crafts",
                        },
                        {
                            "code": "major_project",
                            "zh": "作为主要成员参与国家、自治区、市重大科技计划项目",
                            "en": "Key member of a national, regional or city science programme",
                        },
                    ]
                },
            },
            {
                "kind": "judgement",
                "params": {
                    "zh": "无违法犯罪记录（公安部门证明）",
                    "en": "No criminal record (police certificate)",
                },
            },
            {
                "kind": "judgement",
                "params": {
                    "zh": "非副县级以上领导干部或企业负责人",
                    "en": "Not a deputy-county-level cadre or enterprise head",
                },
            },
            {"kind": "not_debarred"},
        ],
        # §五: qualification and vote, shortlist 1:1.5, online vote 5 days, defense, final, notice.
        "stages": [
            {"kind": "qualification", "starts": "2023-03-08", "ends": "2023-03-18"},
            {"kind": "expert_review", "starts": "2023-03-08", "ends": "2023-03-18"},
            {"kind": "shortlist", "ends": "2023-03-18"},
            {"kind": "online_vote", "starts": "2023-03-19", "ends": "2023-03-23"},
            {"kind": "defense", "starts": "2023-03-24", "ends": "2023-04-04"},
            {"kind": "committee", "starts": "2023-04-05", "ends": "2023-04-15"},
            {"kind": "notice", "days": 5},
        ],
        "shortlist_ratio": "1.5",
        "unit_notice_working_days": 3,  # §五(一): notice in the unit ≥ 3 working days
        "tiers": ["named"],
        "channels": ["unit", "social", "self"],
        # §八: 10,000 one-off from the city government, and 包头 labour-model treatment.
        "award": {
            "source": "city_government",
            "tax": {"withhold": True, "rate": "0.20", "category": "incidental_income"},
            "by_tier": {"named": {"instalments": [{"amount": "10000.00", "label": "一次性奖励"}]}},
        },
        "benefits": [
            {
                "kind": "labour_model_treatment",
                "code": "baotou_labour_model",
                "funder": "city_finance",
                "zh": "享受包头市劳动模范待遇",
                "en": "包头 city labour-model treatment",
            }
        ],
    },
    "units": [
        ("包钢集团工会", "direct_union", "昆都仑区"),
        ("包头市稀土产业工会", "industry_union", "包头市"),
        ("包头市机械工程学会", "society", "包头市"),
    ],
}

JINZHONG_2019 = {
    "scheme": {
        "code": "jinzhong",
        "name": "晋中工匠",
        "city": "晋中",
        "organiser": "晋中市人力资源和社会保障局",
    },
    "round": {
        "year": 2019,
        "title": "2019年度“晋中工匠”遴选",
        "document_no": "市人社发[2019]26号",
        "published_on": None,
        "target_count": 15,
        "notice_working_days": 5,
    },
    "rules": {
        # §一: county HR bureaus ≤ 2, city units ≤ 1.
        "quotas": [
            {"unit_type": "county_hr_bureau", "max": 2},
            {"unit_type": "city_unit", "max": 1},
        ],
        "eligibility": [
            {"kind": "min_skill_level", "params": {"level": "senior"}},  # §二(二)5: 高级 skill level
            {
                "kind": "not_already_honoured",
                "params": {
                    "programmes": ["sanjin_talent", "sanjin_technical_expert", "city_party_contact_expert"]
                },
            },
            {"kind": "not_debarred"},
            {
                "kind": "judgement",
                "params": {
                    "zh": "以近5年业绩、成果、贡献和荣誉为主；无违法违规违纪、失信记录",
                    "en": "Judged on the last 5 years; no legal, disciplinary or credit record",
                },
            },
            {
                "kind": "judgement",
                "params": {
                    "zh": "已征求同级政法、卫健等部门意见",
                    "en": "Opinions of other departments obtained",
                },
            },
        ],
        # §三: recommendation with opinions → ranking, direct recognition / expert review, inspection → notice.
        "stages": [
            {"kind": "qualification"},
            {"kind": "expert_review"},
            {"kind": "field_inspection"},
            {"kind": "committee"},
            {"kind": "notice", "days": 5},
        ],
        "tiers": ["named"],
        "channels": ["direct", "unit", "self"],
        # §四: certificate and 20,000 each.
        "award": {
            "source": "city_finance",
            "tax": {"withhold": True, "rate": "0.20", "category": "incidental_income"},
            "by_tier": {"named": {"instalments": [{"amount": "20000.00", "label": "一次性奖励"}]}},
        },
        "benefits": [
            {
                "kind": "referral",
                "code": "jinzhong_sanjin_talent",
                "funder": "city_finance",
                "zh": "特别优秀的纳入“三晋英才”支持计划",
                "en": "The best are referred to the 三晋英才 programme",
            }
        ],
    },
    "units": [
        ("榆次区人力资源和社会保障局", "county_hr_bureau", "榆次区"),
        ("介休市人力资源和社会保障局", "county_hr_bureau", "介休市"),
        ("晋中市工业和信息化局", "city_unit", "晋中市"),
    ],
}

BAYU_2022 = {
    "scheme": {
        "code": "bayu",
        "name": "最美巴渝工匠",
        "city": "重庆",
        "organiser": "重庆市高技能人才工作联席会",
    },
    "round": {
        "year": 2022,
        "title": "2022年“最美巴渝工匠”选树",
        "document_no": "渝高技办〔2022〕7号",
        "published_on": None,
        "target_count": 10,
        "notice_working_days": 0,
    },
    "rules": {
        # §七(一): districts ≤ 6, city departments ≤ 3.
        "quotas": [
            {"unit_type": "district", "max": 6},
            {"unit_type": "city_department", "max": 3},
        ],
        "eligibility": [
            # §五: 技师 or above, or a city-level 非遗 inheritor, or an intermediate title in listed fields.
            {
                "kind": "min_skill_level",
                "params": {
                    "level": "technician",
                    "alternatives": ["city_heritage_inheritor", "intermediate_title_listed_fields"],
                },
            },
            {"kind": "not_already_honoured", "params": {"schemes": ["bayu"]}},
            {"kind": "not_debarred"},
            _JUDGE_POLITICS,
        ],
        # §六(二): office picks 50 → online vote keeps 30 → expert review names 10 + 10.
        "stages": [
            {"kind": "qualification", "starts": "2022-07-01"},
            {"kind": "shortlist"},
            {"kind": "online_vote"},
            {"kind": "expert_review", "ends": "2022-08-31"},
        ],
        "shortlist_count": 50,
        "online_vote_keep": 30,
        "tiers": ["named", "nominated"],
        "tier_counts": {"named": 10, "nominated": 10},  # §六(二): 10 最美巴渝工匠 and 10 提名
        "channels": ["unit"],
    },
    "units": [
        ("渝北区人力社保局", "district", "渝北区"),
        ("两江新区社会保障部", "district", "两江新区"),
        ("重庆市经济和信息化委员会", "city_department", "重庆市"),
    ],
}

SEEDS = [BALING_2023, JIAOZUO_2018, BAOTOU_2023, JINZHONG_2019, BAYU_2022]
