import os
os.environ["OPENAI_API_KEY"] = "sk-proj-N5WaSyzjPVI97s7vFlFqAMQ8qaljd2xzps-X0_GIliay6OZPT3BlbkFJmoTjYMvr3AVUWYTFQuY_y40SVV7JfEtJnNeU4pYgJVfjM7dB"
os.environ["ANTHROPIC_API_KEY"] = "sk-ant-api03-lBfDtR9HgQmv3mdLZkxEoOnkDQl_CoNpZoxTV3MUvBke9v65s51Awxk1CeS5-tqb3NyPUsMLJPbQjnWPDKyxbu2JpgbUyAA"
