-- Top keywords of each document by jieba's TF-IDF (transforms/keywords.py), rank 1 = heaviest.
create table if not exists document_keywords (
    doc_id varchar not null,
    rank integer not null,
    keyword varchar not null,
    weight double not null
);
